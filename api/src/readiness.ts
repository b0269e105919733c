export type ReadinessState = 'starting' | 'ready' | 'draining';

/** Whether the load balancer should send this instance traffic; only the server moves it forward. */
export class Readiness {
  #state: ReadinessState = 'starting';

  get state(): ReadinessState {
    return this.#state;
  }

  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  markDraining(): void {
    this.#state = 'draining';
  }
}
