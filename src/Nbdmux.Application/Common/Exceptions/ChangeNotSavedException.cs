namespace Nbdmux.Application.Common.Exceptions;

/// <summary>
/// The registry could not record a change (its disk is full, or an I/O error); the server was put
/// back as it was, so nothing changed.
/// </summary>
public sealed class ChangeNotSavedException(string message, bool noSpace, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The data dir's filesystem is full: the operator must free space there.</summary>
    public bool NoSpace { get; } = noSpace;
}
