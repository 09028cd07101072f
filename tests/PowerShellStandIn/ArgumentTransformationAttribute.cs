namespace System.Management.Automation;

public abstract class ArgumentTransformationAttribute : Attribute
{
    protected ArgumentTransformationAttribute()
    {
    }

    public abstract object Transform(EngineIntrinsics engineIntrinsics, object inputData);
}
