// Loaded first by main.ts so OpenTelemetry patches grpc, http and mongodb before they are required.
import { startTelemetry } from '@crm/kit/telemetry';

export const telemetry = startTelemetry('service-ticket');
