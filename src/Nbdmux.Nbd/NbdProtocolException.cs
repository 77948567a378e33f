namespace Nbdmux.Nbd;

public class NbdProtocolException(string message) : IOException(message);
