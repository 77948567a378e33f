namespace Nbdmux.Application.Common.Exceptions;

public sealed class NotFoundException(string message) : Exception(message)
{
    public static NotFoundException Export(string name) => new($"No export is named '{name}'.");
}
