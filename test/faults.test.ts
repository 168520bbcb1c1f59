/**
 * The tests that stop or restart a service other tests use — RabbitMQ, with rabbitmqctl (their
 * Redis and S3 servers are their own) — as one test file, so that vitest never runs two of them
 * at once: it runs this file beside the unit tests, before any other test of the broker
 * (vitest.config.ts). Readiness, then outages, then the soak.
 */
import './faults/ready.ts';
import './faults/outages.ts';
import './faults/soak.ts';
