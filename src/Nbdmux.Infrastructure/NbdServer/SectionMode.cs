using Nbdmux.Application.Common.Interfaces;

namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>The parts of an export that nbd-server fixes when it loads the section; changing them needs a restart.</summary>
public sealed record SectionMode(bool ReadOnly, bool CopyOnWrite)
{
    public static SectionMode Of(ServedExport export) => new(export.Access.ReadOnly, export.Access.CopyOnWrite);
}
