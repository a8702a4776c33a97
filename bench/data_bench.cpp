// bench/data_bench.cpp: placeholder until the data benchmark lands.
int main() { return 0; }
