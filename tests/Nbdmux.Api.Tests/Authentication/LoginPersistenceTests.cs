using System.Net;

namespace Nbdmux.Api.Tests.Authentication;

public sealed class LoginPersistenceTests
{
    [Fact]
    public async Task Login_cookie_stays_valid_after_a_restart_on_the_same_data_dir()
    {
        var dataDir = Directory.CreateTempSubdirectory("nbdmux-api-tests-").FullName;
        try
        {
            string cookie;
            await using (var first = await TestDaemon.StartAsync("pw", dataDir))
            {
                var login = await BrowserForms.LogInAsync(first.CreateClient(), "pw");
                cookie = login.Headers.GetValues("Set-Cookie").Single(header => header.StartsWith("nbdmux.auth=", StringComparison.Ordinal)).Split(';')[0];
            }

            await using var restarted = await TestDaemon.StartAsync("pw", dataDir);
            var client = restarted.CreateClient();
            client.DefaultRequestHeaders.Add("Cookie", cookie);
            var dashboard = await client.GetAsync("/");

            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            Assert.True(Directory.EnumerateFiles(Path.Combine(dataDir, "keys"), "key-*.xml").Any());
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
