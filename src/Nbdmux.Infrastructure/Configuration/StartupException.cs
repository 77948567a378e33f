namespace Nbdmux.Infrastructure.Configuration;

/// <summary>A problem the operator must fix before nbdmux can run; its message is the whole story.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
