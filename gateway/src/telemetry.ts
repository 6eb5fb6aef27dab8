// Loaded first by main.ts so OpenTelemetry patches http, express and grpc before they are required.
import { startTelemetry } from '@crm/kit/telemetry';

export const telemetry = startTelemetry('gateway');
