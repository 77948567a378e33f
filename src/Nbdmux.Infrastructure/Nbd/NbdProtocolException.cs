namespace Nbdmux.Infrastructure.Nbd;

public class NbdProtocolException(string message) : IOException(message);
