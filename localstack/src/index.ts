export * as alb from './alb';
export * from './cloud-assembly';
export * from './emulator';
