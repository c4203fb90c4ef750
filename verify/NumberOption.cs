using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CrossClusterIac.Verify;

/// <summary>
/// Numeric options that refuse a value outside their range, or one that is not a number at all, with one message naming
/// the option, the value, the range and an example, instead of System.CommandLine's "as expected type 'System.Int32'".
/// </summary>
public static class NumberOption
{
    /// <summary>A whole number between <paramref name="least"/> and <paramref name="most"/>.</summary>
    public static Option<int> Whole(string name, string description, int defaultValue, int least, int most, string unit) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => int.TryParse(Token(result), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most
                ? value
                : Refuse(result, name, $"give {unit} as a whole number from {least} to {most}, e.g. {name} {defaultValue}", 0),
        };

    /// <summary>A finite number above zero and at most <paramref name="most"/>.</summary>
    public static Option<double> Positive(string name, string description, double defaultValue, double most, string unit) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,

            // NaN compares false with everything: "is (in range)" refuses it, where "<= 0" would let it through.
            CustomParser = result => double.TryParse(Token(result), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is > 0 && value <= most
                ? value
                : Refuse(result, name, $"give {unit} above 0 and at most {most.ToString(CultureInfo.InvariantCulture)}, e.g. {name} {defaultValue.ToString(CultureInfo.InvariantCulture)}", 0d),
        };

    private static string Token(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;

    private static T Refuse<T>(ArgumentResult result, string name, string fix, T none)
    {
        result.AddError($"{name} {Token(result)}: {fix}");
        return none;
    }
}
