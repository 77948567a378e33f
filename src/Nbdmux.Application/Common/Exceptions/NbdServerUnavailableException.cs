namespace Nbdmux.Application.Common.Exceptions;

/// <summary>nbd-server could not be brought to serve the requested state; nothing was changed.</summary>
public sealed class NbdServerUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner);
