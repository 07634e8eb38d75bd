/**
 * Builds the CDK app: one `ProvisioStack`, checked by cdk-nag's AwsSolutions pack unless
 * context `nag` is 'false'. `infra/app.ts` runs it for the CLI; tests call it directly.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ProvisioStack } from './provisio-stack.ts';

export function createApp(props: AppProps = {}): { app: App; stack: ProvisioStack } {
  const app = new App(props);
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null ? undefined : String(value);
  };
  const account = context('account');
  const region = context('region');

  // Environment-agnostic unless told otherwise: synth needs no credentials and makes no lookups.
  const stack = new ProvisioStack(app, context('stackName') ?? 'Provisio', {
    env: account || region ? { account, region } : undefined,
  });

  if (context('nag') !== 'false') {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { app, stack };
}
