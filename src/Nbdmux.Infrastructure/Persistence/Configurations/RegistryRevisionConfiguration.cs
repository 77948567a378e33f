using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class RegistryRevisionConfiguration : IEntityTypeConfiguration<RegistryRevision>
{
    public void Configure(EntityTypeBuilder<RegistryRevision> builder)
    {
        builder.ToTable("registry");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(r => r.Revision).HasColumnName("revision");
        builder.HasData(new RegistryRevision { Id = RegistryRevision.RowId, Revision = 0 });
    }
}
