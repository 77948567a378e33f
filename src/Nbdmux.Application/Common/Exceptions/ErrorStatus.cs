using FluentValidation;

namespace Nbdmux.Application.Common.Exceptions;

/// <summary>The HTTP status each error a caller can cause is answered with; the API and the audit log both use it.</summary>
public static class ErrorStatus
{
    public static int? Of(Exception exception) => exception switch
    {
        ValidationException => 400,
        NotFoundException => 404,
        ExportInUseException => 409,
        ImageUnservableException => 409,
        ImageSharedException => 409,
        NbdServerUnavailableException => 503,
        ChangeNotSavedException { NoSpace: true } => 507,
        ChangeNotSavedException => 503,
        _ => null,
    };
}
