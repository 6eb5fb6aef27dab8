export * from './custom-fields';
export * from './dates';
export * from './definition';
export * from './grpc';
export * from './pattern';
export * from './store';
export * from './types';
export * from './values';
