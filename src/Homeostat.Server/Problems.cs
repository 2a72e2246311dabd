using Homeostat.Signals;
using Microsoft.AspNetCore.Http;

namespace Homeostat.Server;

/// <summary>RFC 9457 problem documents that name the field at fault.</summary>
public static class Problems
{
    public static IResult Create(int status, string title, string detail, IReadOnlyList<ContractError>? errors = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (errors is { Count: > 0 })
        {
            extensions["errors"] = errors.Select(e => new { field = e.Field, message = e.Message, value = e.Value }).ToList();
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://homeostat.dev/problems/{status}", extensions: extensions);
    }

    /// <summary>413: the request holds more than a limit allows (too many signals); the errors name the field and the limit.</summary>
    public static IResult TooLarge(IReadOnlyList<ContractError> errors) =>
        Create(StatusCodes.Status413PayloadTooLarge, "The request is too large", string.Join("; ", errors.Take(5).Select(e => e.ToString())), errors);

    public static IResult Invalid(IReadOnlyList<ContractError> errors) =>
        Create(StatusCodes.Status400BadRequest, "The request breaks the contract", string.Join("; ", errors.Take(5).Select(e => e.ToString())) + (errors.Count > 5 ? $"; and {errors.Count - 5} more" : string.Empty), errors);
}
