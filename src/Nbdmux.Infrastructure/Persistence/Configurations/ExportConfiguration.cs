using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class ExportConfiguration : IEntityTypeConfiguration<Export>
{
    public void Configure(EntityTypeBuilder<Export> builder)
    {
        builder.ToTable("exports");
        builder.HasKey(e => e.Name);
        builder.Ignore(e => e.Access);
        builder.Property(e => e.Name).HasColumnName("name").HasMaxLength(ExportName.MaxLength).UseCollation("BINARY");
        builder.Property(e => e.FilePath).HasColumnName("file").IsRequired();
        builder.Property(e => e.SizeBytes).HasColumnName("size_bytes");
        // SQLite integers are signed 64-bit; a device or inode number keeps its bits either way.
        builder.ComplexProperty(e => e.FileIdentity, identity =>
        {
            identity.Property(i => i.Device).HasColumnName("file_device").HasConversion(value => unchecked((long)value), column => unchecked((ulong)column));
            identity.Property(i => i.Inode).HasColumnName("file_inode").HasConversion(value => unchecked((long)value), column => unchecked((ulong)column));
        });
        builder.Property(e => e.PartitionTable).HasColumnName("partition_table").HasConversion<string>().HasDefaultValue(PartitionTable.None);
        builder.Property(e => e.ReadOnly).HasColumnName("readonly");
        builder.Property(e => e.CopyOnWrite).HasColumnName("copy_on_write").HasDefaultValue(false);
        // Entries are validated addresses and networks, so a newline cannot occur inside one.
        builder.Property(e => e.Allow).HasColumnName("allow")
            .HasConversion(
                allow => allow == null ? null : string.Join('\n', allow),
                text => text == null ? null : text.Split('\n', StringSplitOptions.None),
                new ValueComparer<IReadOnlyList<string>?>(
                    (a, b) => (a == null && b == null) || (a != null && b != null && a.SequenceEqual(b)),
                    list => list == null ? 0 : list.Aggregate(0, (hash, entry) => HashCode.Combine(hash, entry)),
                    list => list == null ? null : list.ToArray()));
        // No database default: EF Core would leave out a status equal to the enum's default (queued) and let it apply.
        builder.Property(e => e.Status).HasColumnName("status")
            .HasConversion(status => EnumWords.Of(status), word => EnumWords.Parse<ExportStatus>(word));
        builder.ComplexProperty(e => e.Source, source =>
        {
            source.Property(s => s.Url).HasColumnName("src_url");
            source.Property(s => s.Format).HasColumnName("format");
            source.Property(s => s.Sha256).HasColumnName("sha256");
        });
        builder.Ignore(e => e.IsWarming);
        builder.Ignore(e => e.Progress);
        builder.Property(e => e.BytesTotal).HasColumnName("bytes_total");
        builder.Property(e => e.BytesDone).HasColumnName("bytes_done");
        builder.Property(e => e.Error).HasColumnName("error");
        builder.Property(e => e.EnqueuedAt).HasColumnName("enqueued_at");
        builder.Property(e => e.StartedAt).HasColumnName("started_at");
        builder.Property(e => e.CompletedAt).HasColumnName("completed_at");
        builder.Property(e => e.WarmNode).HasColumnName("warm_node");
        builder.Property(e => e.CreatedAt).HasColumnName("created_at");
        builder.Property(e => e.UpdatedAt).HasColumnName("updated_at");
    }
}
