using Homeostat.Guardrails;
using Homeostat.Probes;
using Homeostat.Remediation;
using Homeostat.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Homeostat.Configuration;

/// <summary>
/// One config section a module reads: where it is (<c>Actions:Webhook</c>), the shape its keys are checked against,
/// and the options type resolved at start-up to validate it (null when the section is only read, never bound).
/// </summary>
public sealed record ConfigSection(string Key, Type Shape, Type? Options)
{
    /// <summary>The key as written in the YAML file: <c>actions.webhook</c>.</summary>
    public string DottedKey => string.Join('.', Key.Split(':').Select(ConfigValidator.SnakeCase));
}

/// <summary>
/// What a module adds: its config sections, the actions it contains (those its config turns off included), and the
/// types of its probe kinds, verifiers, guardrails and sources.
/// </summary>
public sealed class HomeostatModule(string name)
{
    public string Name { get; } = name;

    public List<ConfigSection> Sections { get; } = [];

    public List<ActionDeclaration> Actions { get; } = [];

    public List<Type> Probes { get; } = [];

    public List<Type> Verifiers { get; } = [];

    public List<Type> Guardrails { get; } = [];

    public List<Type> Sources { get; } = [];
}

/// <summary>
/// Composes Homeostat from modules: <c>services.AddHomeostat(configuration).AddHostActions().AddKubernetes()</c>. Each
/// module declares its config sections (checked key by key and validated at start-up), its actions, probes, verifiers,
/// guardrails and sources. Adding a module twice is harmless: the second call does nothing.
/// </summary>
public sealed class HomeostatBuilder
{
    private readonly List<HomeostatModule> _modules = [];

    public HomeostatBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    public IServiceCollection Services { get; }

    public IConfiguration Configuration { get; }

    public IReadOnlyList<HomeostatModule> Modules => _modules;

    /// <summary>Adds a module once; <paramref name="configure"/> declares and registers what it adds.</summary>
    public HomeostatBuilder AddModule(string name, Action<HomeostatModuleBuilder> configure)
    {
        if (_modules.Any(m => m.Name == name))
        {
            return this;
        }

        var module = new HomeostatModule(name);
        _modules.Add(module);
        Services.AddSingleton(module);
        configure(new HomeostatModuleBuilder(this, module));
        return this;
    }
}

/// <summary>Declares one module's parts; every method registers the part and records it for <c>validate</c>.</summary>
public sealed class HomeostatModuleBuilder(HomeostatBuilder builder, HomeostatModule module)
{
    public IServiceCollection Services => builder.Services;

    public IConfiguration Configuration => builder.Configuration;

    public HomeostatModule Module => module;

    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>: unknown keys rejected, data annotations and <typeparamref name="TValidator"/> checked at start-up.</summary>
    public HomeostatModuleBuilder Options<TOptions, TValidator>(string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        Options<TOptions>(section);
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return this;
    }

    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>: unknown keys rejected, data annotations checked at start-up.</summary>
    public HomeostatModuleBuilder Options<TOptions>(string section)
        where TOptions : class
    {
        Services.AddOptions<TOptions>()
            .Bind(Configuration.GetSection(section), b => b.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return Section(section, typeof(TOptions), typeof(TOptions));
    }

    /// <summary>Declares a section the module reads in its own way: <paramref name="shape"/> for the key check, <paramref name="options"/> to validate.</summary>
    public HomeostatModuleBuilder Section(string section, Type shape, Type? options = null)
    {
        module.Sections.Add(new ConfigSection(section, shape, options));
        return this;
    }

    /// <summary>Adds an action this module contains, runnable in this configuration.</summary>
    public HomeostatModuleBuilder Action<TAction>(ActionDescriptor descriptor)
        where TAction : class, IRemediationAction
    {
        Services.AddSingleton<IRemediationAction, TAction>();
        return Declare(new ActionDeclaration(module.Name, descriptor, typeof(TAction), EnableWith: null));
    }

    /// <summary>
    /// Declares an action this module contains but its config has turned off: a catalog naming it still validates
    /// (with a warning), and <c>run</c> refuses it, saying to set <paramref name="enableWith"/>.
    /// </summary>
    public HomeostatModuleBuilder DisabledAction(ActionDescriptor descriptor, string enableWith) =>
        Declare(new ActionDeclaration(module.Name, descriptor, Implementation: null, enableWith));

    /// <summary>Adds a probe kind (the <c>kind:</c> of a <c>probes:</c> entry).</summary>
    public HomeostatModuleBuilder Probe<TKind>()
        where TKind : class, IProbeKind
    {
        Services.AddProbeKind<TKind>();
        module.Probes.Add(typeof(TKind));
        return this;
    }

    /// <summary>Adds a verifier; its <see cref="IVerifier.Order"/> decides its precedence, not the order of registration.</summary>
    public HomeostatModuleBuilder Verifier<TVerifier>()
        where TVerifier : class, IVerifier
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IVerifier, TVerifier>());
        module.Verifiers.Add(typeof(TVerifier));
        return this;
    }

    /// <summary>Adds a guardrail; its <see cref="IGuardrail.Order"/> decides where it runs, not the order of registration.</summary>
    public HomeostatModuleBuilder Guardrail<TGuardrail>()
        where TGuardrail : class, IGuardrail
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IGuardrail, TGuardrail>());
        module.Guardrails.Add(typeof(TGuardrail));
        return this;
    }

    /// <summary>Adds a signal source: a background service started with the others.</summary>
    public HomeostatModuleBuilder Source<TSource>()
        where TSource : class, IHostedService
    {
        Services.AddHostedService<TSource>();
        module.Sources.Add(typeof(TSource));
        return this;
    }

    private HomeostatModuleBuilder Declare(ActionDeclaration declaration)
    {
        module.Actions.Add(declaration);
        Services.AddSingleton(declaration);
        return this;
    }
}
