// Kubernetes protobuf request bodies (what kubectl's typed commands send), decoded to JSON objects.
export { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from './decode.js';
