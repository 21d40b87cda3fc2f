#!/usr/bin/env node
// Osprey's CRI (runtime.v1) client: plays the part of kubelet for the container integration tests,
// creating a pod sandbox and a container through containerd's real CRI plugin over gRPC.
//
//   node cri.js SOCK version
//   node cri.js SOCK runpod POD_JSON                      prints the sandbox id
//   node cri.js SOCK create SANDBOX_ID CTR_JSON POD_JSON  prints the container id
//   node cri.js SOCK start CONTAINER_ID
//   node cri.js SOCK rmp SANDBOX_ID                       stops and removes the pod and its containers
//   node cri.js SOCK status CONTAINER_ID                  ContainerStatus, verbose, as JSON
//
// The JSON files hold PodSandboxConfig / ContainerConfig with the proto's field names.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const pkg = protoLoader.loadSync(path.join(__dirname, 'api.proto'), {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const runtimeV1 = grpc.loadPackageDefinition(pkg).runtime.v1;

function rpc(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + 60 * 1000 }, (err, reply) => {
      if (err) reject(err); else resolve(reply);
    });
  });
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

async function main(argv) {
  const [sock, cmd, ...args] = argv;
  if (!sock || !cmd) throw new Error('usage: cri.js SOCK COMMAND [ARGS]');
  const rt = new runtimeV1.RuntimeService('unix://' + sock, grpc.credentials.createInsecure());
  switch (cmd) {
    case 'version':
      console.log(JSON.stringify(await rpc(rt, 'Version', {})));
      break;
    case 'runpod': {
      const reply = await rpc(rt, 'RunPodSandbox', { config: readJson(args[0]) });
      console.log(reply.pod_sandbox_id);
      break;
    }
    case 'create': {
      const reply = await rpc(rt, 'CreateContainer', {
        pod_sandbox_id: args[0], config: readJson(args[1]), sandbox_config: readJson(args[2]),
      });
      console.log(reply.container_id);
      break;
    }
    case 'start':
      await rpc(rt, 'StartContainer', { container_id: args[0] });
      break;
    case 'status':
      console.log(JSON.stringify(await rpc(rt, 'ContainerStatus', { container_id: args[0], verbose: true })));
      break;
    case 'rmp':
      await rpc(rt, 'StopPodSandbox', { pod_sandbox_id: args[0] });
      await rpc(rt, 'RemovePodSandbox', { pod_sandbox_id: args[0] });
      break;
    default:
      throw new Error('unknown command ' + cmd);
  }
  rt.close();
}

main(process.argv.slice(2)).catch((err) => {
  console.error('cri.js:', err.code !== undefined ? `gRPC code ${err.code}:` : '', err.details || err.message);
  process.exit(1);
});
