namespace Nbdmux.Client;

/// <summary>No answer from the daemon: connection refused or reset, unknown host, or a timeout.</summary>
public sealed class NbdmuxUnreachableException : NbdmuxApiException
{
    public NbdmuxUnreachableException(Uri requestUri, string message, Exception innerException)
        : base(message, statusCode: null, innerException) =>
        RequestUri = requestUri;

    public Uri RequestUri { get; }
}
