using Microsoft.Extensions.Options;
using Nbdmux.Infrastructure.Configuration;

namespace Nbdmux.Api.Configuration;

/// <summary>Refuses options with the first problem alone, worded for the operator (the flag, what it accepts).</summary>
public sealed class NbdmuxOptionsValidator : IValidateOptions<NbdmuxOptions>
{
    public ValidateOptionsResult Validate(string? name, NbdmuxOptions options) =>
        NbdmuxSettings.Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
