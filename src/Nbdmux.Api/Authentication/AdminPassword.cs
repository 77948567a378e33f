using System.Security.Cryptography;
using System.Text;

namespace Nbdmux.Api.Authentication;

/// <summary>The operator's password, kept only as a hash and compared in constant time.</summary>
public sealed class AdminPassword(string? password)
{
    private readonly byte[]? _hash = password is null ? null : Hash(password);

    /// <summary>False when nbdmux runs open: no password was configured.</summary>
    public bool IsRequired => _hash is not null;

    /// <summary>Hashing both sides first makes the comparison time independent of either length.</summary>
    public bool Matches(string? candidate) =>
        _hash is not null && candidate is not null && CryptographicOperations.FixedTimeEquals(_hash, Hash(candidate));

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
