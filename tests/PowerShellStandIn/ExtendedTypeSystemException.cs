namespace System.Management.Automation;

public class ExtendedTypeSystemException : Exception
{
    public ExtendedTypeSystemException(string message)
        : base(message)
    {
    }
}
