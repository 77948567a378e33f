using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain.Exports;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class NodeClientConfiguration : IEntityTypeConfiguration<NodeClient>
{
    public void Configure(EntityTypeBuilder<NodeClient> builder)
    {
        builder.ToTable("node_clients");
        builder.HasKey(c => new { c.Node, c.ConnectionId, c.Export });
        builder.Property(c => c.Node).HasColumnName("node").HasMaxLength(NodeNames.MaxLength);
        builder.Property(c => c.ConnectionId).HasColumnName("connection_id").HasMaxLength(64);
        builder.Property(c => c.Export).HasColumnName("export").HasMaxLength(ExportName.MaxLength).IsRequired();
        builder.Property(c => c.Peer).HasColumnName("peer").IsRequired();
        builder.Property(c => c.Since).HasColumnName("since");
        builder.HasIndex(c => c.Export);
    }
}
