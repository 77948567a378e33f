using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class ClientCutConfiguration : IEntityTypeConfiguration<ClientCut>
{
    public void Configure(EntityTypeBuilder<ClientCut> builder)
    {
        builder.ToTable("client_cuts");
        builder.HasKey(c => new { c.Revision, c.Export });
        builder.Property(c => c.Revision).HasColumnName("revision");
        builder.Property(c => c.Export).HasColumnName("export").HasMaxLength(ExportName.MaxLength);
        builder.Property(c => c.OrderedBy).HasColumnName("ordered_by").HasMaxLength(NodeNames.MaxLength);
        builder.Property(c => c.At).HasColumnName("at");
    }
}
