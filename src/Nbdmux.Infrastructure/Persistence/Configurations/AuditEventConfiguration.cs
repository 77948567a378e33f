using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Nbdmux.Domain;
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
        // The enums are stored as the words the API shows (warm_ready), as they were when they were strings.
        builder.Property(e => e.Action).HasColumnName("action").HasConversion(action => EnumWords.Of(action), word => EnumWords.Parse<AuditAction>(word)).IsRequired();
        builder.Property(e => e.ExportName).HasColumnName("export");
        builder.Property(e => e.ActorAddress).HasColumnName("actor_address");
        builder.Property(e => e.Authentication).HasColumnName("authentication")
            .HasConversion(authentication => EnumWords.Of(authentication), word => EnumWords.Parse<AuditAuthentication>(word)).IsRequired();
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
        builder.Property(e => e.Outcome).HasColumnName("outcome").HasConversion(outcome => EnumWords.Of(outcome), word => EnumWords.Parse<AuditOutcome>(word)).IsRequired();
        builder.Property(e => e.Status).HasColumnName("status");
        builder.Property(e => e.Reason).HasColumnName("reason");
        builder.HasIndex(e => e.ExportName);
    }
}
