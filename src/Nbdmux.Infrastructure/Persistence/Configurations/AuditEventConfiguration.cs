using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain.Audit;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        // The id grows with every record, so it orders them by time (SQLite cannot order DateTimeOffset).
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(e => e.At).HasColumnName("at");
        builder.Property(e => e.Action).HasColumnName("action").IsRequired();
        builder.Property(e => e.ExportName).HasColumnName("export");
        builder.Property(e => e.ActorAddress).HasColumnName("actor_address");
        builder.Property(e => e.Authentication).HasColumnName("authentication").IsRequired();
        builder.Property(e => e.Forced).HasColumnName("forced");
        builder.Property(e => e.Before).HasColumnName("before");
        builder.Property(e => e.After).HasColumnName("after");
        // Peers are "address:port", so a newline cannot occur inside one.
        builder.Property(e => e.Disconnected).HasColumnName("disconnected")
            .HasConversion(
                peers => string.Join('\n', peers),
                text => text.Length == 0 ? Array.Empty<string>() : text.Split('\n', StringSplitOptions.None),
                new ValueComparer<IReadOnlyList<string>>(
                    (a, b) => a!.SequenceEqual(b!),
                    list => list.Aggregate(0, (hash, entry) => HashCode.Combine(hash, entry)),
                    list => list.ToArray()))
            .IsRequired();
        builder.Property(e => e.Outcome).HasColumnName("outcome").IsRequired();
        builder.Property(e => e.Status).HasColumnName("status");
        builder.Property(e => e.Reason).HasColumnName("reason");
        builder.HasIndex(e => e.ExportName);
    }
}
