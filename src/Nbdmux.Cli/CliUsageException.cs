namespace Nbdmux.Cli;

/// <summary>The command line cannot be carried out as given; the message says what to change.</summary>
public sealed class CliUsageException(string message) : Exception(message);
