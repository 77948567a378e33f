namespace Nbdmux.Application.Common.Exceptions;

/// <summary>
/// The server cannot be given the registered file as it was checked (the file changed meanwhile,
/// or this host's setup cannot hand it over safely); the message says why and what to do. Nothing
/// was changed.
/// </summary>
public sealed class ImageUnservableException(string message) : Exception(message);
