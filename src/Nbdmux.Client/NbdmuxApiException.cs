using System.Net;

namespace Nbdmux.Client;

/// <summary>
/// The daemon refused a call (<see cref="StatusCode"/> and its problem message), or could not
/// be reached at all (<see cref="NbdmuxUnreachableException"/>).
/// </summary>
public class NbdmuxApiException : Exception
{
    public NbdmuxApiException(string message, HttpStatusCode? statusCode, Exception? innerException = null)
        : base(message, innerException) =>
        StatusCode = statusCode;

    /// <summary>The HTTP status of the refusal; null when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }
}
