using Microsoft.Extensions.Options;

namespace Nbdmux.Api.Configuration;

/// <summary>Refuses options with the first problem alone, worded for the operator (the flag, what it accepts).</summary>
public sealed class FirstProblemValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        NbdmuxSettings.Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
