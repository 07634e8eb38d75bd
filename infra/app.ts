/** The CDK app of `cdk.json`: `npx cdk synth` / `npx cdk deploy`. */
import { createApp } from './create-app.ts';

createApp();
