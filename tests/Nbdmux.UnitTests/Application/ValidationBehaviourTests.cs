using FluentValidation;
using MediatR;
using Nbdmux.Application.Common.Behaviours;

namespace Nbdmux.UnitTests.Application;

public class ValidationBehaviourTests
{
    public sealed record Ping(string? Text) : IRequest<string>;

    private sealed class PingValidator : AbstractValidator<Ping>
    {
        public PingValidator() => RuleFor(p => p.Text).NotEmpty();
    }

    [Fact]
    public async Task An_invalid_request_never_reaches_its_handler()
    {
        var behaviour = new ValidationBehaviour<Ping, string>([new PingValidator()]);
        var handlerCalled = false;

        await Assert.ThrowsAsync<ValidationException>(() =>
            behaviour.Handle(new Ping(null), default, () => { handlerCalled = true; return Task.FromResult("pong"); }));

        Assert.False(handlerCalled);
    }

    [Fact]
    public async Task A_valid_request_is_handled()
    {
        var behaviour = new ValidationBehaviour<Ping, string>([new PingValidator()]);

        Assert.Equal("pong", await behaviour.Handle(new Ping("hi"), default, () => Task.FromResult("pong")));
    }
}
