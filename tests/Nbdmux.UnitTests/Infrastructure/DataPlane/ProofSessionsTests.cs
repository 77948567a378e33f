using Nbdmux.Application.Common.Interfaces;
using Nbdmux.Infrastructure.DataPlane;

namespace Nbdmux.UnitTests.Infrastructure.DataPlane;

public sealed class ProofSessionsTests
{
    private static readonly ClientConnection Proof = new("1", "a", "127.0.0.1:40000", DateTimeOffset.UnixEpoch);
    private static readonly ClientConnection Client = new("2", "a", "10.0.0.7:4000", DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_proof_session_still_listed_is_left_out_and_clients_are_kept()
    {
        var sessions = new ProofSessions();
        sessions.Add(Proof.Peer);

        Assert.Equal([Client], sessions.LeaveOut(() => [Proof, Client]));
        Assert.Equal([Client], sessions.LeaveOut(() => [Proof, Client]));
    }

    [Fact]
    public void A_proof_session_once_gone_is_forgotten_so_a_later_client_on_that_address_is_listed()
    {
        var sessions = new ProofSessions();
        sessions.Add(Proof.Peer);

        Assert.Equal([Client], sessions.LeaveOut(() => [Client]));
        Assert.Equal([Proof, Client], sessions.LeaveOut(() => [Proof, Client]));
    }

    [Fact]
    public void A_proof_noted_while_a_listing_was_taken_is_not_forgotten_by_that_listing()
    {
        var sessions = new ProofSessions();
        sessions.Add("127.0.0.1:1");

        var listed = sessions.LeaveOut(() =>
        {
            sessions.Add(Proof.Peer);
            return [Client];
        });

        Assert.Equal([Client], listed);
        Assert.Equal([Client], sessions.LeaveOut(() => [Proof, Client]));
    }
}
