export * as alb from './alb';
export * from './emulator';
