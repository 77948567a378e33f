using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nbdmux.Client.Tests;

/// <summary>
/// A minimal Kestrel app that answers as the test says: for what the real daemon cannot be made
/// to do here (401 until its auth lands, a proxy's 502, records with fields from the future).
/// </summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Method, path and Authorization header of every request, in order.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Authorization)> Requests { get; } = new();

    public static async Task<FakeServer> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeServer? server = null;
        app.Run(context =>
        {
            server!.Requests.Enqueue((context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault()));
            return respond(context, server.Requests.Count);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new FakeServer(app, new Uri(address));
        return server;
    }

    /// <summary>401 problem details unless the request carries `Bearer <paramref name="password"/>`; then <paramref name="authorized"/>.</summary>
    public static Task<FakeServer> RequiringPasswordAsync(string password, Func<HttpContext, Task> authorized) =>
        StartAsync((context, _) => context.Request.Headers.Authorization == $"Bearer {password}"
            ? authorized(context)
            : ProblemAsync(context, StatusCodes.Status401Unauthorized, """{"title":"Unauthorized","status":401,"detail":"The admin password is missing or wrong.","error":"The admin password is missing or wrong."}"""));

    public static Task ProblemAsync(HttpContext context, int status, string problemJson)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(problemJson);
    }

    public static Task JsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
