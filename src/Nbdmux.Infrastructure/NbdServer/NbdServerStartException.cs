namespace Nbdmux.Infrastructure.NbdServer;

/// <summary>nbd-server did not come up answering on its port.</summary>
public sealed class NbdServerStartException(string message) : Exception(message);
