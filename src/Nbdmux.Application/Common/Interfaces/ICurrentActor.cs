using Nbdmux.Domain.Audit;

namespace Nbdmux.Application.Common.Interfaces;

/// <summary>Who is asking for the request being handled.</summary>
public interface ICurrentActor
{
    AuditEvent.Actor Actor { get; }
}
