using Klaxon.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Klaxon.Web;

/// <summary>A refusal as a page shows it: the status and the sentence the API would have answered with.</summary>
public sealed record ProblemView(int Status, string Title, string Detail);

/// <summary>
/// Turns a refusal a page's handler meets (403, 404, a request it cannot carry out) into a page with that status
/// and the API's sentence, instead of a problem-details document a person would have to read as JSON.
/// </summary>
public sealed class ProblemPageFilter(IModelMetadataProvider metadata) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is null || ProblemMapping.ToProblem(executed.Exception) is not { } problem) return;
        executed.ExceptionHandled = true;
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        executed.Result = new PartialViewResult
        {
            ViewName = "_Problem",
            StatusCode = status,
            ViewData = new ViewDataDictionary<ProblemView>(metadata, new ModelStateDictionary())
            {
                Model = new ProblemView(status, problem.Title ?? "The request was refused.", problem.Detail ?? ""),
            },
        };
    }
}
