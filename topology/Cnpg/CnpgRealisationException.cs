namespace CrossClusterIac.Topology.Cnpg;

/// <summary>A manifest that CNPG would reject or could not realise; the message says which field and why.</summary>
public sealed class CnpgRealisationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CnpgRealisationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CnpgRealisationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CnpgRealisationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
