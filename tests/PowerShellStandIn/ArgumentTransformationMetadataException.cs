namespace System.Management.Automation;

public class ArgumentTransformationMetadataException : Exception
{
    public ArgumentTransformationMetadataException()
    {
    }

    public ArgumentTransformationMetadataException(string message)
        : base(message)
    {
    }

    public ArgumentTransformationMetadataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
