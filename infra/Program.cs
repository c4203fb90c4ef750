using CrossClusterIac.Infra.Stacks;
using Pulumi;

return await Deployment.RunAsync<TopologyStack>();
