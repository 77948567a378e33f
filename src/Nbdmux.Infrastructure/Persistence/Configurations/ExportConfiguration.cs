using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain.Exports;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class ExportConfiguration : IEntityTypeConfiguration<Export>
{
    public void Configure(EntityTypeBuilder<Export> builder)
    {
        builder.ToTable("exports");
        builder.HasKey(e => e.Name);
        builder.Property(e => e.Name).HasColumnName("name").HasMaxLength(ExportName.MaxLength).UseCollation("BINARY");
        builder.Property(e => e.FilePath).HasColumnName("file").IsRequired();
        builder.Property(e => e.ReadOnly).HasColumnName("readonly");
        builder.Property(e => e.SizeBytes).HasColumnName("size_bytes");
        builder.Property(e => e.CreatedAt).HasColumnName("created_at");
        builder.Property(e => e.UpdatedAt).HasColumnName("updated_at");
    }
}
