// tsyringe throws at import unless the Reflect polyfill loaded first: every import of it goes through here,
// so any public entry point may be the first a process loads.
import 'reflect-metadata';

export { container, type DependencyContainer } from 'tsyringe';
