using System.Collections.Generic;
using Hailuo.Models;

namespace Hailuo.PowerShell.Completion;

/// <summary>The models: hailuo-2.3, hailuo-2.3-fast.</summary>
public sealed class ModelCompleter : StaticSetCompleter
{
    public override IReadOnlyList<string> Values => HailuoModels.All;
}
