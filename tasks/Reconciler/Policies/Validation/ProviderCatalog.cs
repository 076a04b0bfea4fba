using Amazon;

namespace Reconciler.Policies.Validation;

/// <summary>
/// The providers, services and regions a <c>provider:</c> block may name. AWS regions come from AWSSDK.Core
/// (plus the feed's <c>GLOBAL</c>); service and scope names are those the providers' own feeds use.
/// </summary>
public static class ProviderCatalog
{
    public sealed record Provider(string Name, IReadOnlySet<string> Services, IReadOnlySet<string> Regions);

    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private static readonly HashSet<string> AwsServices =
    [
        "AMAZON", "AMAZON_APPFLOW", "AMAZON_CONNECT", "API_GATEWAY", "AURORA_DSQL", "CHIME_MEETINGS",
        "CHIME_VOICECONNECTOR", "CLOUD9", "CLOUDFRONT", "CLOUDFRONT_ORIGIN_FACING", "CODEBUILD", "DYNAMODB", "EBS",
        "EC2", "EC2_INSTANCE_CONNECT", "GLOBALACCELERATOR", "IVS_REALTIME", "KINESIS_VIDEO_STREAMS",
        "MEDIA_PACKAGE_V2", "ROUTE53", "ROUTE53_HEALTHCHECKS", "ROUTE53_HEALTHCHECKS_PUBLISHING",
        "ROUTE53_RESOLVER", "S3", "WORKSPACES_GATEWAYS",
    ];

    private static readonly HashSet<string> AwsRegions =
        [.. RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Where(n => !n.EndsWith("-regional", StringComparison.Ordinal)), "GLOBAL"];

    private static readonly HashSet<string> GitHubServices =
    [
        "hooks", "web", "api", "git", "github_enterprise_importer", "packages", "pages", "importer", "actions",
        "actions_macos", "codespaces", "dependabot", "copilot",
    ];

    private static readonly HashSet<string> GoogleScopes =
    [
        "africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
        "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1",
        "australia-southeast2", "europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
        "europe-west1", "europe-west10", "europe-west12", "europe-west2", "europe-west3", "europe-west4",
        "europe-west6", "europe-west8", "europe-west9", "global", "me-central1", "me-central2", "me-west1",
        "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1",
        "southamerica-west1", "us-central1", "us-central2", "us-east1", "us-east4", "us-east5", "us-east7",
        "us-south1", "us-west1", "us-west2", "us-west3", "us-west4", "us-west8",
    ];

    public static IReadOnlyDictionary<string, Provider> Providers { get; } = new Dictionary<string, Provider>
    {
        ["aws"] = new("aws", AwsServices, AwsRegions),
        ["cloudflare"] = new("cloudflare", None, None),
        ["github"] = new("github", GitHubServices, None),
        ["google"] = new("google", new HashSet<string> { "Google Cloud" }, GoogleScopes),
    };
}
