using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain.Nodes;

namespace Nbdmux.Infrastructure.Persistence.Configurations;

public sealed class NodeConfiguration : IEntityTypeConfiguration<Node>
{
    public void Configure(EntityTypeBuilder<Node> builder)
    {
        builder.ToTable("nodes");
        builder.HasKey(n => n.Name);
        builder.Property(n => n.Name).HasColumnName("name").HasMaxLength(NodeNames.MaxLength);
        builder.Property(n => n.Address).HasColumnName("address").IsRequired();
        builder.Property(n => n.HttpPort).HasColumnName("http_port");
        builder.Property(n => n.NbdPort).HasColumnName("nbd_port");
        builder.Property(n => n.Backend).HasColumnName("backend").IsRequired();
        builder.Property(n => n.UpSince).HasColumnName("up_since");
        builder.Property(n => n.LastHeartbeat).HasColumnName("last_heartbeat");
        builder.Property(n => n.ExportsServed).HasColumnName("exports_served");
        builder.Property(n => n.Connections).HasColumnName("connections");
        builder.Property(n => n.AppliedRevision).HasColumnName("applied_revision");
    }
}
