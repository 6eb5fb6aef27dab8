export * from './grpc';
export * from './pool';
export * from './rules';
export * from './transfer-coordinator';
export * from './transfer-participant';
