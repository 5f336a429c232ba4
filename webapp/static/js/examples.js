// The Examples menu: small, valid manifests that each show one thing the cluster does.

function pizzaService(name, replicas) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
    system: pizza
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
        system: pizza
    spec:
      containers:
      - name: ${name}
        image: registry.example/pizza/${name}:1.2.3
        ports:
        - containerPort: 8080
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    system: pizza
spec:
  selector:
    app: ${name}
  ports:
  - port: 80
    targetPort: 8080
`;
}

export const PIZZA = `# The pizza system: login ×3, payment ×2, delivery ×1, each behind a Service on port 80.
${pizzaService("login", 3)}---
${pizzaService("payment", 2)}---
${pizzaService("delivery", 1)}`;

export const EXAMPLES = [
  {
    id: "login",
    title: "Deployment: login-app ×3",
    yaml: `# A Deployment keeps 3 identical pods running. Its selector says which pods it owns;
# the template's labels must match it.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: login-app
spec:
  replicas: 3
  selector:
    matchLabels:
      app: login
  template:
    metadata:
      labels:
        app: login
    spec:
      containers:
      - name: login
        image: nginx
`,
  },
  {
    id: "pod",
    title: "A bare Pod",
    yaml: `# A Pod on its own: nothing recreates it if it is deleted or its node fails.
apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    app: hello
spec:
  containers:
  - name: hello
    image: nginx
`,
  },
  {
    id: "web",
    title: "Deployment + Service",
    yaml: `# A Service gives the Deployment's pods one stable name and address.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
`,
  },
  {
    id: "unschedulable",
    title: "A pod that cannot be scheduled",
    yaml: `# No node has 64 CPUs to spare, so the scheduler leaves this pod Pending and says why
# (hover the pod in the Pending lane).
apiVersion: v1
kind: Pod
metadata:
  name: greedy
spec:
  containers:
  - name: greedy
    image: nginx
    resources:
      requests:
        cpu: "64"
`,
  },
  {
    id: "invalid",
    title: "An invalid Deployment (no selector)",
    yaml: `# The apiserver refuses this one: apps/v1 Deployments must say which pods they own.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: no-selector
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: no-selector
    spec:
      containers:
      - name: app
        image: nginx
`,
  },
  { id: "pizza", title: "The pizza system", yaml: PIZZA },
];
